const fs = require("fs");
const env = process.env;
console.log(`greeting ${env["INPUT_WHO-TO-GREET"]} with [${env.INPUT_PUNCTUATION}] spaced=[${env.INPUT_WITH_SPACE}]`);
console.log(`action path ok=${fs.existsSync(env.GITHUB_ACTION_PATH + "/action.yml")} repo=[${env.GITHUB_ACTION_REPOSITORY}] ref=[${env.GITHUB_ACTION_REF}]`);
console.log(`cwd is workspace=${process.cwd() === env.GITHUB_WORKSPACE} node=${process.version.split(".")[0]}`);
fs.appendFileSync(env.GITHUB_OUTPUT, `greeting=Hello ${env["INPUT_WHO-TO-GREET"]}${env.INPUT_PUNCTUATION}\n`);
fs.appendFileSync(env.GITHUB_STATE, `started=main-of-${env["INPUT_WHO-TO-GREET"]}\n`);
