// One runner instance.
export const reportTask = () => 0;
