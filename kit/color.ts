// One chalk for the whole kit. chalk already turns colour off without a TTY and honours
// FORCE_COLOR; NO_COLOR (https://no-color.org) is added here. marked-terminal shares this
// chalk instance, so the rendered guide follows the same rule.
import chalk from 'chalk';

if (process.env.NO_COLOR) chalk.level = 0;

export { chalk };
