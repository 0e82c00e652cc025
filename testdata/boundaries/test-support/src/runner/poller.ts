import { fakeForge } from "../../test/support/fake-forge.js";

export const poll = () => fakeForge.fetch();
