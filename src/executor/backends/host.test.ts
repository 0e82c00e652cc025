import { runBackendContract } from "../../../test/support/backend-contract.js";
import { createHostBackend } from "./host.js";

runBackendContract({ name: "host", create: (workdirParent) => createHostBackend({ workdirParent }) });
