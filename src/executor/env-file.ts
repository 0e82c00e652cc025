/** One file command's content: `name=value` lines and `name<<DELIMITER` heredocs, in order. */
export interface EnvFileContent {
  entries: [name: string, value: string][];
  /** One message per line that could not be read. */
  errors: string[];
}

/**
 * Reads GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STATE syntax. A value may contain `=`; a heredoc body may
 * contain `x=y` lines; CRLF line ends are accepted.
 */
export function parseEnvFile(text: string): EnvFileContent {
  const lines = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  if (lines.at(-1) === "") lines.pop();
  const entries: [string, string][] = [];
  const errors: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === "") continue;
    const heredoc = line.indexOf("<<");
    const equals = line.indexOf("=");
    if (heredoc > 0 && (equals < 0 || heredoc < equals)) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (delimiter === "") {
        errors.push(`line ${i + 1}: '${name}<<' has no delimiter: write '${name}<<EOF'`);
        continue;
      }
      const body: string[] = [];
      let end = -1;
      for (let j = i + 1; j < lines.length; j++) {
        if (lines[j] === delimiter) {
          end = j;
          break;
        }
        body.push(lines[j] as string);
      }
      if (end < 0) {
        errors.push(`line ${i + 1}: no closing '${delimiter}' for '${name}': end the value with a '${delimiter}' line`);
        break;
      }
      entries.push([name, body.join("\n")]);
      i = end;
    } else if (equals > 0) {
      entries.push([line.slice(0, equals), line.slice(equals + 1)]);
    } else {
      errors.push(`line ${i + 1}: '${line}' is neither 'name=value' nor 'name<<DELIMITER'`);
    }
  }
  return { entries, errors };
}
