import { describe, expect, it } from "@effect/vitest"
import { inexactIntegerPath } from "../../src/app/http/inexactInteger.js"

describe("inexactIntegerPath", () => {
  it("finds an inexact integer of 16 digits wherever it starts in the text (the pre-check steps by 16)", () => {
    for (let pad = 0; pad < 40; pad++) {
      const text = `{"${"k".repeat(pad)}":[12,9007199254740993]}`
      expect(`${pad} ${inexactIntegerPath(text)}`).toBe(`${pad} ${"k".repeat(pad)}[1]`)
    }
  })

  it("finds one after other long runs of digits, and none where every integer is exact", () => {
    expect(inexactIntegerPath(`{"a":"${"1".repeat(40)}","b":9007199254740992,"c":9007199254740993}`)).toBe("c")
    expect(inexactIntegerPath(`[9007199254740992, 9007199254740992.5, 90071992547409931e0, "9007199254740993"]`)).toBeUndefined()
    // The digits of a fraction or an exponent are part of a float, not an integer of their own.
    expect(inexactIntegerPath(`{"days":0.000011574074074074073,"e":1e-12345678901234567,"f":1.5E+90071992547409931}`)).toBeUndefined()
    expect(inexactIntegerPath(`-9007199254740993`)).toBe("")
    expect(inexactIntegerPath(`{"a": 9007199254740993`)).toBeUndefined() // not JSON: the platform's parse answers
    const nested = `{"x":{"y":[1,{"a,b":[9007199254740992]}],"\\"q\\"":[[],{"z":[3,{"w":-18446744073709551615}]}]}}`
    expect(inexactIntegerPath(nested)).toBe(`x."q"[1].z[1].w`)
  })
})
