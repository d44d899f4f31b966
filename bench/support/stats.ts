/** The value below which the fraction q of the sorted sample lies (nearest rank). */
export const quantile = (sorted: ArrayLike<number>, q: number): number => {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank]!
}

export const median = (values: ReadonlyArray<number>): number => {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (finite.length === 0) return Number.NaN
  const middle = Math.floor(finite.length / 2)
  return finite.length % 2 === 1 ? finite[middle]! : (finite[middle - 1]! + finite[middle]!) / 2
}

/** Relative spread of repeated measurements: (max - min) / median. */
export const spread = (values: ReadonlyArray<number>): number => {
  const finite = values.filter(Number.isFinite)
  if (finite.length < 2) return 0
  return (Math.max(...finite) - Math.min(...finite)) / median(finite)
}

/** A growable array of latencies that does not allocate a number object per sample. */
export class Samples {
  private data = new Float64Array(1 << 16)
  private size = 0

  push(value: number): void {
    if (this.size === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2)
      bigger.set(this.data)
      this.data = bigger
    }
    this.data[this.size++] = value
  }

  get length(): number {
    return this.size
  }

  /** A copy of the samples in the order they came. */
  values(): Float64Array {
    return this.data.slice(0, this.size)
  }

  sorted(): Float64Array {
    return this.values().sort()
  }
}
