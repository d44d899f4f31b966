// Loaded with `node --import` into a server process under test: every module the process loads is
// appended, one URL a line, to the file named by LOADED_MODULES_LOG (see test/support/ModulesLogServer.ts).
import { register } from "node:module"

register("./loadedModulesHooks.mjs", import.meta.url)
