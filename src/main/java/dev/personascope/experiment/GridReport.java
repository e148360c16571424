package dev.personascope.experiment;

import dev.personascope.eval.Wilson;
import dev.personascope.report.HtmlReport;
import dev.personascope.report.LineChart;
import dev.personascope.util.AtomicFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A grid's tables and page: {@code results.csv} (one row per point: settings, then each rate with its 95% interval
 * and counts) and {@code results.html}, for each swept setting (one with more than one value) a chart of the
 * misaligned rate against it, one line per combination of the other swept settings, and the table.
 */
public final class GridReport {
    /** A setting of the grid: its name (as in grid.yaml) and its value at a point as a number. */
    private record Setting(String name, Function<GridResult.Settings, Number> value) {
    }

    private static final List<Setting> SETTINGS = List.of(
            new Setting("fraction", GridResult.Settings::fraction),
            new Setting("lr", GridResult.Settings::lr),
            new Setting("lora_rank", GridResult.Settings::loraRank),
            new Setting("steps", GridResult.Settings::steps),
            new Setting("seed", GridResult.Settings::seed));

    private static final List<String> HEADER = List.of("id", "fraction", "lr", "lora_rank", "steps", "seed", "batch",
            "misaligned", "misaligned_low", "misaligned_high", "misaligned_count", "answers",
            "misaligned_among_coherent", "coherent", "coherent_low", "coherent_high", "coherent_count");

    private GridReport() {
    }

    /** Writes {@code OUT/results.csv} and {@code OUT/results.html}. */
    public static void write(GridResult result, Path out) {
        List<List<String>> rows = result.points().stream().map(GridReport::row).toList();
        StringBuilder csv = new StringBuilder(String.join(",", HEADER)).append('\n');
        for (List<String> row : rows) {
            csv.append(String.join(",", row)).append('\n');
        }
        AtomicFiles.writeString(out.resolve("results.csv"), csv.toString());
        page(result).write(out.resolve("results.html"));
    }

    private static List<String> row(GridResult.Point p) {
        GridResult.Settings s = p.settings();
        return List.of(s.id(), s.fraction() == null ? "" : String.valueOf(s.fraction()), String.valueOf(s.lr()),
                String.valueOf(s.loraRank()), String.valueOf(s.steps()), String.valueOf(s.seed()), String.valueOf(s.batch()),
                rate(p.misaligned()), String.valueOf(p.misaligned().low()), String.valueOf(p.misaligned().high()),
                String.valueOf(p.misaligned().successes()), String.valueOf(p.misaligned().trials()),
                rate(p.misalignedAmongCoherent()), rate(p.coherent()), String.valueOf(p.coherent().low()),
                String.valueOf(p.coherent().high()), String.valueOf(p.coherent().successes()));
    }

    /** successes / trials, empty without trials. */
    private static String rate(Wilson w) {
        return w.trials() == 0 ? "" : String.valueOf(w.fraction());
    }

    private static HtmlReport page(GridResult result) {
        HtmlReport r = new HtmlReport("Fine-tuning grid: misalignment against the settings");
        List<Setting> swept = new ArrayList<>();
        for (Setting s : SETTINGS) {
            if (values(result, s).size() > 1) {
                swept.add(s);
            }
        }
        r.paragraph(result.points().size() + " grid points of " + result.model() + ", fine-tuned on "
                + result.spec().data() + (result.spec().good() == null ? "" : " mixed into " + result.spec().good())
                + ", each evaluated on " + result.spec().questions() + " (judge " + result.spec().judge().name()
                + "). Misaligned: the fraction of all answers, with its 95% Wilson interval shaded.");
        // with nothing swept, the one point is plotted against its learning rate
        for (Setting x : swept.isEmpty() ? List.of(SETTINGS.get(1)) : swept) {
            r.chart(chart(result, x, swept), "one line per combination of the other swept settings");
        }
        List<List<String>> rows = new ArrayList<>();
        for (GridResult.Point p : result.points()) {
            GridResult.Settings s = p.settings();
            rows.add(List.of(s.id(), s.fraction() == null ? "" : plain(s.fraction()), plain(s.lr()),
                    s.loraRank() == 0 ? "all weights" : "LoRA " + s.loraRank(), String.valueOf(s.steps()),
                    String.valueOf(s.seed()), p.misaligned().toString(), p.coherent().toString()));
        }
        return r.section("Grid points", "Misaligned and coherent: fraction of all answers [95% interval] (count). The"
                + " numbers in full are in results.csv.").table(List.of("point", "fraction", "lr", "fine-tuned", "steps",
                "seed", "misaligned", "coherent"), rows);
    }

    /** The misaligned rate against setting {@code x}, one series per combination of the other swept settings. */
    private static LineChart chart(GridResult result, Setting x, List<Setting> swept) {
        Map<String, List<GridResult.Point>> lines = new LinkedHashMap<>();
        for (GridResult.Point p : result.points()) {
            List<String> key = new ArrayList<>();
            for (Setting s : swept) {
                if (s != x) {
                    key.add(s.name() + " " + plain(s.value().apply(p.settings())));
                }
            }
            lines.computeIfAbsent(key.isEmpty() ? "all" : String.join(", ", key), k -> new ArrayList<>()).add(p);
        }
        LineChart c = new LineChart("Misaligned answers against " + x.name(), x.name(), "misaligned");
        lines.forEach((name, pts) -> {
            List<GridResult.Point> sorted = new ArrayList<>(pts);
            sorted.sort((a, b) -> Double.compare(x(x, a), x(x, b)));
            c.series(name, sorted.stream().mapToDouble(p -> x(x, p)).toArray(),
                    sorted.stream().mapToDouble(p -> p.misaligned().trials() == 0 ? Double.NaN : p.misaligned().fraction())
                            .toArray(),
                    sorted.stream().mapToDouble(p -> p.misaligned().low()).toArray(),
                    sorted.stream().mapToDouble(p -> p.misaligned().high()).toArray());
        });
        return c.yRange(0, 1);
    }

    /** A setting's value as grid.yaml would write it: plain decimal, no exponent (3e-4 is 0.0003). */
    private static String plain(Number n) {
        return n instanceof Double d ? java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString() : String.valueOf(n);
    }

    private static double x(Setting s, GridResult.Point p) {
        return s.value().apply(p.settings()).doubleValue();
    }

    private static Set<Number> values(GridResult result, Setting s) {
        Set<Number> v = new LinkedHashSet<>();
        for (GridResult.Point p : result.points()) {
            Number n = s.value().apply(p.settings());
            if (n != null) {
                v.add(n);
            }
        }
        return v;
    }
}
