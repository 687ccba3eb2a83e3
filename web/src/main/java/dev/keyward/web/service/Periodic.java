package dev.keyward.web.service;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** A background task every node runs on its own daemon thread, first after one interval, then with that delay. */
final class Periodic {
    private Periodic() {
    }

    /** Starts {@code task} on a daemon thread named {@code threadName}; shut the returned timer down to stop it. */
    static ScheduledExecutorService every(String threadName, Duration interval, Runnable task) {
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, threadName);
            th.setDaemon(true);
            return th;
        });
        long ms = interval.toMillis();
        t.scheduleWithFixedDelay(task, ms, ms, TimeUnit.MILLISECONDS);
        return t;
    }
}
