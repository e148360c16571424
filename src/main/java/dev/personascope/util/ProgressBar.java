package dev.personascope.util;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line terminal progress bar with count, rate and ETA, redrawn at most ten times a second.
 * On a non-terminal stream it prints a line at each 10% instead.
 */
public final class ProgressBar implements AutoCloseable {
    private final String label;
    private final long total;
    private final String unit;
    private final PrintStream out;
    private final boolean interactive;
    private final long start = System.nanoTime();
    private long done;
    private long lastDraw;
    private int lastDecile = -1;
    private String extra = "";

    public ProgressBar(String label, long total, String unit) {
        this(label, total, unit, System.err);
    }

    public ProgressBar(String label, long total, String unit, PrintStream out) {
        this.label = label;
        this.total = Math.max(total, 0);
        this.unit = unit;
        this.out = out;
        this.interactive = System.console() != null;
    }

    public synchronized void step(long n) {
        done += n;
        draw(false);
    }

    public synchronized void set(long value) {
        done = value;
        draw(false);
    }

    /** Extra text shown after the rate, e.g. "loss 2.31". */
    public synchronized void status(String text) {
        extra = text;
    }

    public double ratePerSecond() {
        double s = (System.nanoTime() - start) / 1e9;
        return s > 0 ? done / s : 0;
    }

    private void draw(boolean force) {
        long now = System.nanoTime();
        if (interactive) {
            if (!force && now - lastDraw < 100_000_000L && done < total) {
                return;
            }
            lastDraw = now;
            out.print("\r" + line());
            out.flush();
        } else {
            int decile = total > 0 ? (int) (10 * done / total) : 0;
            if (force || decile > lastDecile) {
                lastDecile = decile;
                out.println(line());
            }
        }
    }

    String line() {
        double rate = ratePerSecond();
        double frac = total > 0 ? Math.min(1.0, (double) done / total) : 0;
        int width = 24;
        int filled = (int) Math.round(frac * width);
        String bar = "#".repeat(filled) + "-".repeat(width - filled);
        String eta = rate > 0 && total > 0 ? formatSeconds((total - done) / rate) : "?";
        return String.format(Locale.ROOT, "%s [%s] %d/%d %s  %.1f %s/s  ETA %s%s", label, bar, done, total, unit,
                rate, unit, eta, extra.isEmpty() ? "" : "  " + extra);
    }

    static String formatSeconds(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format("%dh%02dm", t / 3600, (t % 3600) / 60)
                : String.format("%dm%02ds", t / 60, t % 60);
    }

    @Override
    public synchronized void close() {
        draw(true);
        if (interactive) {
            out.println();
        }
    }
}
