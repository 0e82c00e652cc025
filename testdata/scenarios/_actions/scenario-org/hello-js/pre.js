const fs = require("fs");
console.log(`pre ran for ${process.env.INPUT_NAME}`);
fs.appendFileSync(process.env.GITHUB_STATE, "fromPre=pre-state\n");
