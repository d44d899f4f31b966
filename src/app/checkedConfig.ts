import { Config, ConfigError, Either } from "effect"

/**
 * `config`, refused with `message` unless `valid`. Config.validate on a config that has been
 * defaulted or mapped reports the failure at an empty path ("Invalid data at : …"), so the start-up
 * line would not name the variable; this names it.
 */
export const checked = <A>(name: string, config: Config.Config<A>, message: string, valid: (value: A) => boolean) =>
  Config.mapOrFail(config, (value) => valid(value) ? Either.right(value) : Either.left(ConfigError.InvalidData([name], message)))
