import { containerBackendSuite } from "../../../test/support/container-suite.js";

containerBackendSuite("docker");
