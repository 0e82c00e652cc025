import type { JobSide, RunComparison } from "./compare-runs.js";

function seconds(msValue: number | undefined): string {
  return msValue === undefined ? "-" : `${(msValue / 1000).toFixed(1)}s`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}

const result = (s: JobSide | undefined) => s?.result ?? "(absent)";
const short = (sha: string | undefined) => (sha === undefined ? "" : sha.slice(0, 12));

/** The comparison as a person reads it: jobs table, artifacts with the files that differ, verdict. */
export function formatComparison(c: RunComparison): string {
  const lines = [`compare ${c.workflow}: A = ${c.a.workflow} (${c.a.source}), B = ${c.b.workflow} (${c.b.source})`, ""];
  const rows = [["job", "A", "B", "A time", "B time", "B/A"]];
  for (const j of c.jobs) {
    const matrix = Object.keys(j.matrix).length === 0 ? "" : ` ${JSON.stringify(j.matrix)}`;
    rows.push([
      `${j.status === "same" ? " " : "!"} ${j.name}${matrix}`,
      result(j.a),
      result(j.b),
      seconds(j.a?.wallMs),
      seconds(j.b?.wallMs),
      j.ratio === undefined ? "-" : j.ratio.toFixed(2),
    ]);
  }
  rows.push([
    "  (whole run)",
    c.a.green ? "green" : "red",
    c.b.green ? "green" : "red",
    seconds(c.a.wallMs),
    seconds(c.b.wallMs),
    c.ratio === undefined ? "-" : c.ratio.toFixed(2),
  ]);
  lines.push(...table(rows), "");
  if (c.artifacts.length > 0) {
    lines.push("artifacts:");
    for (const x of c.artifacts) {
      if (x.status === "equal") lines.push(`  = ${x.name}: equal (${x.equalFiles} files)`);
      else if (x.status === "differs") {
        lines.push(`  ! ${x.name}: ${x.differences.length} of ${x.equalFiles + x.differences.length} files differ`);
        for (const d of x.differences) {
          if (d.status === "differs") {
            lines.push(
              `      differs    ${d.path}  (A ${d.a?.size} bytes ${short(d.a?.sha256)}, B ${d.b?.size} bytes ${short(d.b?.sha256)})`,
            );
          } else lines.push(`      only in ${d.status === "only-in-a" ? "A" : "B"}  ${d.path}`);
        }
      } else lines.push(`  ! ${x.name}: only in ${x.status === "only-in-a" ? "A" : "B"}`);
    }
    lines.push("");
  }
  for (const n of c.notes) lines.push(`note: ${n}`);
  lines.push(
    c.equal
      ? `verdict: EQUAL: same results, ${c.artifactsEqual && c.artifacts.length > 0 ? "same artifacts" : "no artifacts to differ"}${c.b.green ? "" : " (but B is not green)"}`
      : `verdict: DIFFERENT: ${c.reasons.join("; ")}`,
  );
  return `${lines.join("\n")}\n`;
}
