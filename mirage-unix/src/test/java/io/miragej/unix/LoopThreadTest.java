package io.miragej.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.device.Timer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoopThreadTest {
    @Test
    void tasksRunInOrderOnTheLoopAndTimersWhenDue() throws InterruptedException {
        try (LoopThread loop = new LoopThread("test-loop")) {
            List<String> log = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            loop.schedule(30_000_000L, () -> {
                log.add("timer");
                done.countDown();
            });
            Timer cancelled = loop.schedule(10_000_000L, () -> log.add("cancelled"));
            for (int i = 0; i < 100; i++) {
                int n = i;
                loop.execute(() -> log.add("t" + n + (loop.inLoop() ? "" : "!")));
            }
            assertTrue(cancelled.cancel());
            assertTrue(done.await(5, TimeUnit.SECONDS));
            assertEquals(101, log.size());
            assertEquals("t0", log.getFirst());
            assertEquals("t99", log.get(99));
            assertEquals("timer", log.getLast());
            assertFalse(loop.inLoop());
        }
    }

    @Test
    void aFullQueueRefusesWork() throws InterruptedException {
        try (LoopThread loop = new LoopThread("blocked-loop")) {
            CountDownLatch release = new CountDownLatch(1);
            loop.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Thread.sleep(50);
            int accepted = 0;
            try {
                for (int i = 0; i <= LoopThread.MAX_TASKS; i++) {
                    loop.execute(() -> {});
                    accepted++;
                }
            } catch (RejectedExecutionException e) {
                assertTrue(e.getMessage().contains("tasks queued"));
            }
            assertEquals(LoopThread.MAX_TASKS, accepted);
            release.countDown();
        }
        LoopThread closed = new LoopThread("closed");
        closed.close();
        assertThrows(RejectedExecutionException.class, () -> closed.execute(() -> {}));
    }
}
