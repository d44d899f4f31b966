/** A Markdown table: a header row, its rule, then the rows. */
export const markdownTable = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const row = (cells: ReadonlyArray<string>) => `| ${cells.join(" | ")} |`
  return [row(header), row(header.map(() => "---")), ...rows.map(row)].join("\n")
}
