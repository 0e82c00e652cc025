import { fakeForge } from "../../test/support/fake-forge.js";
import { poll } from "./poller.js";

void [fakeForge, poll];
