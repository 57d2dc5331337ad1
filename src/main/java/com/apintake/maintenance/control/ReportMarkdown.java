package com.apintake.maintenance.control;

import com.apintake.maintenance.control.PerformanceReports.Report;
import com.apintake.monitoring.entity.Component;
import com.apintake.monitoring.entity.Recommendation;
import java.util.Locale;

/** The report as Markdown for people (and a plain HTML page made from it). */
public final class ReportMarkdown {

    private ReportMarkdown() {}

    public static String render(Report report) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(capitalize(report.kind())).append(" performance report\n\n");
        md.append("Period: ")
                .append(report.periodStart())
                .append(" to ")
                .append(report.periodEnd())
                .append("\n\n");

        md.append("## Health score: ")
                .append(report.health().score())
                .append(" (")
                .append(report.health().status())
                .append(")\n\n");
        md.append(
                "| component | value | unit | warn at | critical at | weight | penalty |\n|---|---|---|---|---|---|---|\n");
        for (Component c : report.health().components()) {
            md.append(row(c.name(), c.value(), c.unit(), c.warnAt(), c.critAt(), c.weight(), c.penalty()));
        }
        var points = report.scoreTrend();
        if (!points.isEmpty()) {
            double min = points.stream()
                    .filter(p -> p.value() != null)
                    .mapToDouble(p -> p.value())
                    .min()
                    .orElse(Double.NaN);
            double max = points.stream()
                    .filter(p -> p.value() != null)
                    .mapToDouble(p -> p.value())
                    .max()
                    .orElse(Double.NaN);
            md.append(String.format(
                    Locale.ROOT,
                    "%nScore over the period: %d snapshots, lowest %.0f, highest %.0f.%n%n",
                    points.size(),
                    min,
                    max));
        }

        md.append("## Statements that cost the most (since the statistics reset)\n\n");
        md.append("| calls | total ms | mean ms | rows | query |\n|---|---|---|---|---|\n");
        for (var s : report.topStatements()) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %d | %.0f | %.2f | %d | `%s` |%n",
                    s.calls(),
                    s.totalMillis(),
                    s.meanMillis(),
                    s.rows(),
                    oneLine(s.query())));
        }
        md.append(String.format(
                Locale.ROOT,
                "%nSlow in the period (mean above %.0f ms, at least %d calls): %d statement(s).%n%n",
                report.slowInPeriod().thresholdMillis(),
                report.slowInPeriod().minCalls(),
                report.slowInPeriod().slowCount()));

        md.append(
                "## Index usage\n\n| table | index | scans | size | owned by Liquibase | valid |\n|---|---|---|---|---|---|\n");
        for (var i : report.indexUsage()) {
            md.append(row(
                    i.table(),
                    i.index(),
                    i.scans(),
                    bytes(i.bytes()),
                    i.liquibaseOwned() ? "yes" : "",
                    i.valid() ? "yes" : "NO"));
        }

        md.append(
                "\n## Table growth\n\n| table | size | growth since the previous report | rows (estimate) |\n|---|---|---|---|\n");
        for (var t : report.tableGrowth()) {
            md.append(row(t.table(), bytes(t.bytes()), bytes(t.growthBytes()), t.estimatedRows()));
        }

        md.append("\n## Recommendations\n\n");
        if (report.recommendations().isEmpty()) {
            md.append("None.\n");
        }
        for (Recommendation r : report.recommendations()) {
            md.append("- **")
                    .append(r.severity())
                    .append("** ")
                    .append(r.kind())
                    .append(" `")
                    .append(r.object())
                    .append("`: ")
                    .append(r.evidence())
                    .append("\n");
        }

        md.append("\n## Maintenance\n\n");
        if (report.maintenance().isEmpty()) {
            md.append("Nothing needed.\n");
        }
        for (var a : report.maintenance()) {
            md.append("- ")
                    .append(a.kind())
                    .append(" `")
                    .append(a.target())
                    .append("`: ")
                    .append(a.outcome())
                    .append(" — ")
                    .append(a.detail())
                    .append("\n");
        }
        return md.toString();
    }

    /** A self-contained HTML page: the Markdown's headings, tables and lists, escaped. */
    public static String html(String markdown) {
        StringBuilder html = new StringBuilder(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>ap-intake performance report</title>"
                        + "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
                        + "padding:2px 6px;font-size:90%}code{font-size:85%}</style></head><body>\n");
        boolean inTable = false;
        boolean inList = false;
        for (String line : markdown.split("\n")) {
            if (inTable && !line.startsWith("|")) {
                html.append("</table>\n");
                inTable = false;
            }
            if (inList && !line.startsWith("- ")) {
                html.append("</ul>\n");
                inList = false;
            }
            if (line.startsWith("|---")) {
                continue;
            }
            if (line.startsWith("|")) {
                if (!inTable) {
                    html.append("<table>\n");
                    inTable = true;
                }
                html.append("<tr>");
                String[] cells = line.substring(1, line.length() - 1).split("\\|", -1);
                for (String cell : cells) {
                    html.append("<td>").append(escape(cell.strip())).append("</td>");
                }
                html.append("</tr>\n");
            } else if (line.startsWith("## ")) {
                html.append("<h2>").append(escape(line.substring(3))).append("</h2>\n");
            } else if (line.startsWith("# ")) {
                html.append("<h1>").append(escape(line.substring(2))).append("</h1>\n");
            } else if (line.startsWith("- ")) {
                if (!inList) {
                    html.append("<ul>\n");
                    inList = true;
                }
                html.append("<li>").append(escape(line.substring(2))).append("</li>\n");
            } else if (!line.isBlank()) {
                html.append("<p>").append(escape(line)).append("</p>\n");
            }
        }
        if (inTable) {
            html.append("</table>\n");
        }
        if (inList) {
            html.append("</ul>\n");
        }
        return html.append("</body></html>\n").toString();
    }

    private static String row(Object... cells) {
        StringBuilder row = new StringBuilder("|");
        for (Object cell : cells) {
            row.append(' ')
                    .append(cell == null ? "" : oneLine(String.valueOf(cell)))
                    .append(" |");
        }
        return row.append('\n').toString();
    }

    private static String oneLine(String text) {
        String compact = text == null ? "" : text.replaceAll("\\s+", " ").replace("|", "\\|");
        return compact.length() > 120 ? compact.substring(0, 117) + "..." : compact;
    }

    static String bytes(long bytes) {
        double value = Math.abs(bytes);
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return (bytes < 0 ? "-" : "")
                + String.format(Locale.ROOT, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
    }

    private static String capitalize(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("`", "");
    }
}
