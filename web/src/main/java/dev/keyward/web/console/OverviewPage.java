package dev.keyward.web.console;

import dev.keyward.web.service.OverviewService;
import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The overview: issuance charts, certificates by role, revocations, host health, keys per flag. */
public final class OverviewPage {
    private final OverviewService overview;
    private final Pages pages;

    OverviewPage(OverviewService overview, Pages pages) {
        this.overview = overview;
        this.pages = pages;
    }

    /** A flag with its count and the link to the keys that carry it. */
    public record FlagCount(String flag, int count, String href) {
    }

    public record View(OverviewService.Overview o, Chart day, Chart week, List<FlagCount> flags) {
    }

    void show(Context ctx, Visit visit) {
        OverviewService.Overview o = overview.overview();
        List<FlagCount> flags = o.keysByFlag().entrySet().stream().map(e -> {
            String f = e.getKey().name().toLowerCase(Locale.ROOT);
            return new FlagCount(f, e.getValue(), "/keys?flag=" + f);
        }).toList();
        pages.render(ctx, 200, "overview", Map.of("frame", visit.frame("Overview", "overview"), "view",
                new View(o, Chart.of("chart-day", "24 hours", o.lastDay()), Chart.of("chart-week", "7 days",
                        o.lastWeek()), flags)));
    }
}
