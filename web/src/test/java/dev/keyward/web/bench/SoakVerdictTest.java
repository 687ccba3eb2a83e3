package dev.keyward.web.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The soak's verdict from its per-minute figures (the figures themselves come from scripts/soak-server). */
class SoakVerdictTest {
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    private boolean judge(double[] rssMb, double[] p99, long failures) {
        double[] agents = new double[rssMb.length];
        java.util.Arrays.fill(agents, 40);
        return judge(rssMb, p99, agents, failures);
    }

    private boolean judge(double[] rssMb, double[] p99, double[] agentP99, long failures) {
        List<SoakVerdict.Minute> rows = new ArrayList<>();
        for (int i = 0; i < rssMb.length; i++) {
            rows.add(new SoakVerdict.Minute(i + 1, new ServerProbe.Sample(rssMb[i], 60, 50, 20, 20, 100, 30, 1), p99[i],
                    agentP99[i]));
        }
        return SoakVerdict.judge(rows, failures, new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    private String lastLine() {
        String[] lines = printed.toString(StandardCharsets.UTF_8).split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void slopeIsTheLeastSquaresFit() {
        assertEquals(2.0, SoakVerdict.slope(new double[] {1, 2, 3, 4}, new double[] {10, 12, 14, 16}), 1e-9);
        assertEquals(0.0, SoakVerdict.slope(new double[] {1, 2, 3}, new double[] {5, 7, 5}), 1e-9);
        assertTrue(Double.isNaN(SoakVerdict.slope(new double[] {1}, new double[] {5})));
    }

    @Test
    void passesWithoutErrorsWithRssWithin10PercentOfMinuteFiveAndEveryP99Under50Ms() {
        assertTrue(judge(new double[] {300, 400, 450, 480, 500, 510, 520, 549},
                new double[] {40, 20, 20, 20, 20, 20, 20, 49.9}, 0));
        assertEquals("PASS", lastLine());
    }

    @Test
    void rssGrowthCountsOnlyAfterMinuteFive() {
        assertFalse(judge(new double[] {100, 200, 300, 400, 500, 520, 551, 540},
                new double[] {20, 20, 20, 20, 20, 20, 20, 20}, 0));
        assertEquals("FAIL", lastLine());
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("FAIL RSS after minute 5"));
    }

    @Test
    void oneSlowOrEmptyMinuteOrOneErrorFails() {
        double[] rss = {500, 500, 500, 500, 500, 500};
        assertFalse(judge(rss, new double[] {20, 20, 50, 20, 20, 20}, 0));
        assertFalse(judge(rss, new double[] {20, 20, Double.NaN, 20, 20, 20}, 0));
        assertFalse(judge(rss, new double[] {20, 20, 20, 20, 20, 20}, 1));
        assertTrue(judge(rss, new double[] {20, 20, 20, 20, 20, 20}, 0));
    }

    @Test
    void agentsSlowerThan250MsInAnyMinuteFail() {
        double[] rss = {500, 500, 500, 500, 500, 500};
        double[] p99 = {20, 20, 20, 20, 20, 20};
        assertFalse(judge(rss, p99, new double[] {30, 60, 100, 150, 200, 250}, 0));
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("FAIL agents' p99 < 250 ms"));
        assertFalse(judge(rss, p99, new double[] {30, 30, Double.NaN, 30, 30, 30}, 0));
        assertTrue(judge(rss, p99, new double[] {30, 60, 100, 150, 200, 249}, 0));
    }

    @Test
    void aRunOfFiveMinutesOrLessGetsNoVerdict() {
        assertFalse(judge(new double[] {500, 500, 500, 500, 500}, new double[] {20, 20, 20, 20, 20}, 0));
        assertTrue(lastLine().startsWith("NO VERDICT"), lastLine());
    }
}
