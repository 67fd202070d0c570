extension LivePage {
    /// The page's only style sheet. Severity and state colours are classes the script picks from
    /// fixed lists, never names taken from the data.
    static let style = #"""
        :root {
          --bg: #f6f7f9; --card: #ffffff; --ink: #1d2330; --muted: #667085; --line: #e3e6ec;
          --live: #16803c; --stale: #b7791f; --waiting: #7b8494; --error: #c62828;
          --degraded: #c27c0e; --unavailable: #9b3d3d;
          --critical: #8e1b1b; --high: #d9480f; --medium: #b58100; --low: #1c64c8; --info: #6b7280;
          --chart: #2f6fde; --chart-fill: rgba(47, 111, 222, 0.12);
          font: 14px/1.4 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
        }
        @media (prefers-color-scheme: dark) {
          :root {
            --bg: #12151b; --card: #1b2029; --ink: #e6e9ef; --muted: #98a2b3; --line: #2c3340;
            --chart: #6ea0ff; --chart-fill: rgba(110, 160, 255, 0.15);
          }
        }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--ink); }
        code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
        .muted { color: var(--muted); font-weight: normal; }
        [hidden] { display: none !important; }

        .top { display: flex; align-items: baseline; gap: 16px; padding: 12px 20px; border-bottom: 1px solid var(--line);
               background: var(--card); position: sticky; top: 0; z-index: 2; }
        .top h1 { font-size: 18px; margin: 0; }
        .where { margin: 0; color: var(--muted); flex: 1; }
        .conn { margin: 0; font-weight: 600; }
        .conn[data-state="connected"] { color: var(--live); }
        .conn[data-state="connecting"], .conn[data-state="reconnecting"] { color: var(--stale); }
        .conn[data-state="auth"], .conn[data-state="refused"] { color: var(--error); }

        .banner { display: flex; flex-wrap: wrap; align-items: center; gap: 12px; margin: 12px 20px 0; padding: 10px 14px;
                  border-radius: 6px; border: 1px solid var(--stale); background: rgba(183, 121, 31, 0.12); }
        .banner[data-kind="auth"], .banner[data-kind="refused"] {
          border-color: var(--error); background: rgba(198, 40, 40, 0.1);
        }
        .banner-text { margin: 0; font-weight: 600; flex: 1 1 320px; }
        .token-form { display: flex; gap: 8px; align-items: center; }
        .token-form input { width: 22em; padding: 4px 6px; }
        .notice { margin: 8px 20px 0; color: var(--muted); }

        main { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 16px; padding: 16px 20px; }
        .overview, .panel-wide { grid-column: 1 / -1; }
        .tiles { list-style: none; margin: 0; padding: 0; display: grid; gap: 10px;
                 grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); }
        .tile { background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--waiting);
                border-radius: 6px; padding: 8px 10px; }
        .tile[data-state="live"] { border-left-color: var(--live); }
        .tile[data-state="stale"] { border-left-color: var(--stale); }
        .tile[data-state="error"] { border-left-color: var(--error); }
        .tile[data-state="degraded"] { border-left-color: var(--degraded); }
        .tile[data-state="unavailable"] { border-left-color: var(--unavailable); }
        .tile-name { font-weight: 600; }
        .tile-line { color: var(--muted); font-size: 12px; }

        .panel { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; min-width: 0; }
        .panel-head { display: flex; align-items: baseline; gap: 10px; margin-bottom: 8px; }
        .panel-head h2 { font-size: 15px; margin: 0; }
        .updated { color: var(--muted); font-size: 12px; margin-left: auto; }
        .state-badge { font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.04em;
                       padding: 1px 7px; border-radius: 10px; color: #fff; background: var(--waiting); }
        [data-state="live"] > .panel-head .state-badge, .tile[data-state="live"] .state-badge { background: var(--live); }
        [data-state="stale"] > .panel-head .state-badge, .tile[data-state="stale"] .state-badge { background: var(--stale); }
        [data-state="error"] > .panel-head .state-badge, .tile[data-state="error"] .state-badge { background: var(--error); }
        [data-state="degraded"] > .panel-head .state-badge, .tile[data-state="degraded"] .state-badge {
          background: var(--degraded);
        }
        [data-state="unavailable"] > .panel-head .state-badge, .tile[data-state="unavailable"] .state-badge {
          background: var(--unavailable);
        }
        .source-note { margin: 0 0 8px; padding: 4px 8px; border-radius: 4px; font-size: 12px; overflow-wrap: anywhere;
                       border-left: 4px solid var(--waiting); background: rgba(123, 132, 148, 0.12); }
        .source-note[data-source="degraded"] { border-left-color: var(--degraded); background: rgba(194, 124, 14, 0.12); }
        .source-note[data-source="unavailable"] { border-left-color: var(--unavailable); background: rgba(155, 61, 61, 0.12); }
        .tile .source-note { margin: 4px 0 0; padding: 2px 6px; color: var(--ink); }
        .empty { color: var(--muted); margin: 6px 0; }
        .stream-error { color: var(--error); margin: 6px 0; }

        .charts { display: grid; gap: 10px; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); }
        .chart { border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px; min-width: 0; }
        .chart-title { font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        .chart-sub { color: var(--muted); font-size: 12px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        .chart-value { font-size: 18px; font-weight: 600; }
        .chart-value .muted { font-size: 12px; }
        .chart svg { display: block; width: 100%; height: 64px; }
        .chart .line { fill: none; stroke: var(--chart); stroke-width: 1.6; vector-effect: non-scaling-stroke; }
        .chart .area { fill: var(--chart-fill); stroke: none; }
        .chart .dot { fill: var(--chart); }
        .chart .dot.partial { fill: var(--card); stroke: var(--chart); stroke-dasharray: 2 1; }
        .chart-range { display: flex; justify-content: space-between; color: var(--muted); font-size: 11px; }

        table { width: 100%; border-collapse: collapse; table-layout: auto; }
        th { text-align: left; font-size: 12px; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line);
             padding: 4px 6px; }
        td { padding: 4px 6px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
        tr > td:first-child { border-left: 4px solid transparent; }
        tr.sev-critical > td:first-child { border-left-color: var(--critical); }
        tr.sev-high > td:first-child { border-left-color: var(--high); }
        tr.sev-medium > td:first-child { border-left-color: var(--medium); }
        tr.sev-low > td:first-child { border-left-color: var(--low); }
        tr.sev-info > td:first-child { border-left-color: var(--info); }
        tr.is-closed { opacity: 0.6; }
        .sev { display: inline-block; min-width: 5.5em; text-align: center; font-size: 11px; font-weight: 700; color: #fff;
               border-radius: 4px; padding: 1px 5px; background: var(--info); white-space: nowrap; }
        .nowrap { white-space: nowrap; }
        .sev.sev-critical { background: var(--critical); }
        .sev.sev-high { background: var(--high); }
        .sev.sev-medium { background: var(--medium); }
        .sev.sev-low { background: var(--low); }
        .counts { display: flex; gap: 6px; flex-wrap: wrap; margin-bottom: 8px; }
        .time { white-space: nowrap; color: var(--muted); font-size: 12px; }

        .cost-total { font-size: 28px; font-weight: 700; }
        .cost-line { color: var(--muted); margin: 2px 0 8px; }
        .cost-progress { height: 8px; background: var(--line); border-radius: 4px; overflow: hidden; margin-bottom: 10px; }
        .cost-progress > div { height: 100%; background: var(--chart); }
        .bar-cell { width: 40%; }
        .bar { height: 8px; background: var(--chart); border-radius: 4px; min-width: 2px; }
        .amount { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
        .days { display: block; width: 100%; height: 48px; margin-bottom: 8px; }
        .days rect { fill: var(--chart); }
        .days rect.estimated { fill: var(--chart-fill); stroke: var(--chart); stroke-dasharray: 2 1; }

        .logs { list-style: none; margin: 0; padding: 0; }
        .logs li { display: grid; grid-template-columns: 9em 16em 1fr; gap: 8px; padding: 3px 0;
                   border-bottom: 1px solid var(--line); }
        .log-group { color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        .log-message { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }
        .foot { color: var(--muted); font-size: 12px; padding: 0 20px 20px; }

        """#
}
