export const fakeForge = { fetch: () => 0 };
