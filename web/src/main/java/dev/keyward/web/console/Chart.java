package dev.keyward.web.console;

import dev.keyward.web.service.OverviewService.Bucket;
import java.util.ArrayList;
import java.util.List;

/**
 * A bar chart drawn on the server as SVG geometry (no chart library, no script): one bar per hour, scaled to the
 * busiest hour, each with a title for its exact count.
 *
 * @param summary one sentence for screen readers and the chart's title
 */
public record Chart(String id, String summary, int width, int height, long max, List<Bar> bars, String firstLabel,
        String lastLabel) {
    static final int WIDTH = 720;
    static final int HEIGHT = 160;
    static final int LEFT = 40;
    static final int BOTTOM = 20;

    public record Bar(String x, String y, String w, String h, String label) {
    }

    static Chart of(String id, String period, List<Bucket> buckets) {
        long max = 0;
        long total = 0;
        for (Bucket b : buckets) {
            max = Math.max(max, b.count());
            total += b.count();
        }
        double plotW = WIDTH - LEFT - 4;
        double plotH = HEIGHT - BOTTOM - 8;
        double slot = plotW / Math.max(1, buckets.size());
        List<Bar> bars = new ArrayList<>();
        for (int i = 0; i < buckets.size(); i++) {
            Bucket b = buckets.get(i);
            if (b.count() == 0) {
                continue;
            }
            double h = Math.max(1, plotH * b.count() / max);
            bars.add(new Bar(fmt(LEFT + i * slot + slot * 0.1), fmt(HEIGHT - BOTTOM - h), fmt(slot * 0.8), fmt(h),
                    b.count() + " issued in the hour from " + Display.time(b.hour())));
        }
        String summary = total + " certificates issued in the last " + period + (max > 0 ? "; at most " + max
                + " in one hour" : "");
        return new Chart(id, summary, WIDTH, HEIGHT, max, bars,
                buckets.isEmpty() ? "" : Display.time(buckets.get(0).hour()),
                buckets.isEmpty() ? "" : Display.time(buckets.get(buckets.size() - 1).hour()));
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.1f", v);
    }

    public int plotTop() {
        return 8;
    }

    public int axisY() {
        return HEIGHT - BOTTOM;
    }

    public int left() {
        return LEFT;
    }
}
