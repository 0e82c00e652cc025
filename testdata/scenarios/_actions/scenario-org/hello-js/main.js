const fs = require("fs");
const e = process.env;
console.log(`main hello ${e.INPUT_NAME} state=${e.STATE_fromPre} repo=${e.GITHUB_ACTION_REPOSITORY} ref=${e.GITHUB_ACTION_REF}`);
console.log(`action dir under temp=${e.GITHUB_ACTION_PATH.startsWith(e.RUNNER_TEMP)}`);
fs.appendFileSync(e.GITHUB_OUTPUT, `said=hello ${e.INPUT_NAME}\n`);
fs.appendFileSync(e.GITHUB_STATE, "fromMain=main-state\n");
