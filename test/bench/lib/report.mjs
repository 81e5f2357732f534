/**
 * The human-readable table: one row per target, ratios on the rows that declare a comparison: req/s
 * (higher is better for the row, and is what a goal applies to), then p99 and the server's CPU time per
 * request, each this row's divided by the compared row's (lower is better for the row).
 */

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function mean(values) {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Sums up a scenario's rounds: mean rps and p99 over the rounds, the spread of rps, and each ratio.
 * @param {import('../scenarios.mjs').Scenario} scenario
 * @param {Record<string, Array<ReturnType<typeof Object>>>} runs target id → one result per round
 */
export function summarize(scenario, runs) {
  const rows = scenario.targets.map((target) => {
    const rounds = runs[target.id];
    const rps = rounds.map((r) => r.rps);
    return {
      id: target.id,
      label: target.label,
      rps: mean(rps),
      rpsMin: Math.min(...rps),
      rpsMax: Math.max(...rps),
      p99: mean(rounds.map((r) => r.p99)),
      cpuPerRequest: rounds.every((r) => typeof r.cpuPerRequest === 'number')
        ? mean(rounds.map((r) => r.cpuPerRequest))
        : null,
      bytesPerResponse: mean(rounds.map((r) => r.bytesPerResponse)),
      failures: rounds.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx, 0),
      rounds,
    };
  });
  for (const [i, target] of scenario.targets.entries()) {
    if (!target.compare) continue;
    const base = rows.find((row) => row.id === target.compare.with);
    const row = rows[i];
    row.ratio = row.rps / base.rps;
    // Latency the other way round: below 1 means this target's p99 is the lower one.
    if (base.p99 > 0) row.p99Ratio = row.p99 / base.p99;
    if (row.cpuPerRequest && base.cpuPerRequest) row.cpuRatio = row.cpuPerRequest / base.cpuPerRequest;
    if (target.compare.atLeast !== undefined) {
      row.goal = target.compare.atLeast;
      row.meetsGoal = row.ratio >= row.goal;
    }
  }
  return {
    name: scenario.name,
    description: scenario.description,
    compareLabel: scenario.compareLabel ?? 'vs bare',
    targets: rows,
  };
}

export function formatTable(summaries) {
  const lines = [];
  for (const summary of summaries) {
    const header = [
      'target',
      'req/s',
      'req/s range',
      'p99 ms',
      'bytes/resp',
      'CPU µs/req',
      summary.compareLabel,
      'p99 ratio',
      'CPU ratio',
      'goal',
      '',
    ];
    const body = summary.targets.map((row) => [
      row.label,
      int.format(row.rps),
      `${int.format(row.rpsMin)}–${int.format(row.rpsMax)}`,
      row.p99.toFixed(1),
      int.format(row.bytesPerResponse),
      row.cpuPerRequest === null ? '' : int.format(row.cpuPerRequest),
      row.ratio === undefined ? '' : row.ratio.toFixed(2),
      row.p99Ratio === undefined ? '' : row.p99Ratio.toFixed(2),
      row.cpuRatio === undefined ? '' : row.cpuRatio.toFixed(2),
      row.goal === undefined ? '' : `≥ ${row.goal.toFixed(2)}`,
      [
        row.goal === undefined ? '' : row.meetsGoal ? 'met' : 'MISSED',
        row.failures > 0 ? `(${row.failures} errors/non-2xx: figure not valid)` : '',
      ]
        .filter(Boolean)
        .join(' '),
    ]);
    const widths = header.map((h, c) => Math.max(h.length, ...body.map((cells) => cells[c].length)));
    const fmt = (cells) =>
      cells
        .map((cell, c) =>
          c === 0 || c === cells.length - 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]),
        )
        .join('  ')
        .trimEnd();
    lines.push(`${summary.name}: ${summary.description}`, fmt(header), ...body.map(fmt), '');
  }
  return lines.join('\n');
}
