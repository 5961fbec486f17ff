package io.filterscope.swing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The generation rule: only the newest request of a lane shows; every request is accounted for. */
class BackgroundTest {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final Background bg = new Background(2, errors::add, new Background.Listener() {
        @Override
        public void busy(String what) {
            events.add("busy " + what);
        }

        @Override
        public void idle(boolean cancelled) {
            events.add(cancelled ? "cancelled" : "idle");
        }
    });

    @AfterEach
    void close() {
        bg.close();
    }

    @Test
    void aNewerRequestSupersedesARunningOne() throws Exception {
        Background.Lane lane = new Background.Lane("test");
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> shown = new CopyOnWriteArrayList<>();
        Screens.onEdt(() -> bg.submit(lane, "old", () -> {
            started.countDown();
            release.await(60, TimeUnit.SECONDS);
            return "old";
        }, shown::add));
        assertTrue(started.await(60, TimeUnit.SECONDS));
        CompletableFuture<Void> idle = bg.whenIdle();
        Screens.onEdt(() -> bg.submit(lane, "new", () -> "new", shown::add));
        Screens.onEdt(() -> assertTrue(bg.busy()));
        assertFalse(idle.isDone(), "the old request still runs");
        release.countDown();
        idle.get(60, TimeUnit.SECONDS);
        assertEquals(List.of("new"), shown, "the stale result is dropped");
        assertEquals(List.of(), errors);
    }

    @Test
    void failuresGoToTheHandlerAndCancelledWorkShowsNothing() throws Exception {
        Background.Lane lane = new Background.Lane("test");
        List<Throwable> seen = new CopyOnWriteArrayList<>();
        Screens.onEdt(() -> bg.submit(lane, "fails", () -> {
            throw new IllegalStateException("broken");
        }, r -> { }, seen::add));
        bg.whenIdle().get(60, TimeUnit.SECONDS);
        assertEquals(1, errors.size());
        assertEquals("broken", errors.get(0).getMessage());
        assertEquals(errors, seen);

        CountDownLatch release = new CountDownLatch(1);
        List<Object> shown = new CopyOnWriteArrayList<>();
        Screens.onEdt(() -> {
            bg.submit(lane, "slow", () -> release.await(60, TimeUnit.SECONDS), shown::add);
            bg.cancelAll(List.of(lane));
        });
        release.countDown();
        bg.whenIdle().get(60, TimeUnit.SECONDS);
        assertEquals(List.of(), shown);
        assertEquals("cancelled", events.get(events.size() - 1));
    }

    @Test
    void whenIdleWaitsForWorkThatResultsStart() throws Exception {
        Background.Lane first = new Background.Lane("first");
        Background.Lane second = new Background.Lane("second");
        List<String> shown = new CopyOnWriteArrayList<>();
        Screens.onEdt(() -> bg.submit(first, "one", () -> 1, r -> bg.submit(second, "two", () -> 2, s -> shown.add("two"))));
        bg.whenIdle().get(60, TimeUnit.SECONDS);
        assertEquals(List.of("two"), shown);
        assertEquals("idle", events.get(events.size() - 1));
    }
}
