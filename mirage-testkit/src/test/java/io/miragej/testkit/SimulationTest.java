package io.miragej.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.miragej.device.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulationTest {

    @Test
    void eventsRunInTimeThenSchedulingOrder() {
        Simulation sim = new Simulation(1);
        List<String> log = new ArrayList<>();
        sim.schedule(2_000, () -> log.add("b@" + sim.nanoTime()));
        sim.schedule(1_000, () -> log.add("a@" + sim.nanoTime()));
        sim.schedule(2_000, () -> log.add("c@" + sim.nanoTime()));
        sim.execute(() -> log.add("now@" + sim.nanoTime()));
        Timer cancelled = sim.schedule(1_500, () -> log.add("never"));
        assertTrue(cancelled.cancel());
        assertFalse(cancelled.cancel());
        sim.runUntilIdle(100);
        assertEquals(List.of("now@0", "a@1000", "b@2000", "c@2000"), log);
    }

    @Test
    void runForAdvancesTheClockEvenWithoutEvents() {
        Simulation sim = new Simulation(1);
        sim.runFor(Duration.ofSeconds(5));
        assertEquals(5_000_000_000L, sim.nanos());
        assertEquals(Simulation.EPOCH_NANOS + 5_000_000_000L, sim.epochNanos());
    }

    @Test
    void simulatedThreadsSleepOnVirtualTimeAndTakeTurns() {
        Simulation sim = new Simulation(7);
        List<String> log = new ArrayList<>();
        for (String name : List.of("x", "y")) {
            sim.spawn(name, () -> {
                for (int i = 0; i < 3; i++) {
                    log.add(name + i + "@" + sim.nanos() / 1_000_000);
                    try {
                        sim.sleep(Duration.ofMillis(name.equals("x") ? 10 : 15));
                    } catch (InterruptedException e) {
                        throw new RuntimeException(e);
                    }
                }
            });
        }
        long started = System.nanoTime();
        sim.runUntilIdle(1000);
        assertTrue(System.nanoTime() - started < 5_000_000_000L);
        assertEquals(List.of("x0@0", "y0@0", "x1@10", "y1@15", "x2@20", "y2@30"), log);
    }

    @Test
    void aFailureInASimulatedThreadReachesTheDriver() {
        Simulation sim = new Simulation(1);
        sim.spawn("bad", () -> {
            throw new IllegalArgumentException("boom");
        });
        assertThrows(IllegalArgumentException.class, () -> sim.runUntilIdle(10));
    }

    @Test
    void sleepOutsideASimulatedThreadIsExplained() {
        Simulation sim = new Simulation(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> sim.sleep(Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("Simulation.spawn"));
    }

    @Test
    void runUntilStopsAtTheLimit() {
        Simulation sim = new Simulation(1);
        int[] ticks = {0};
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            ticks[0]++;
            sim.schedule(1_000_000, tick[0]);
        };
        sim.execute(tick[0]);
        assertFalse(sim.runUntil(() -> false, Duration.ofMillis(100)));
        assertEquals(101, ticks[0]);
        assertTrue(sim.runUntil(() -> ticks[0] >= 150, Duration.ofSeconds(1)));
        assertThrows(IllegalStateException.class, () -> sim.runUntilIdle(1000));
    }

    @Test
    void theSameSeedGivesTheSameRandomStream() {
        Simulation a = new Simulation(42);
        Simulation b = new Simulation(42);
        for (int i = 0; i < 100; i++) {
            assertEquals(a.nextLong(), b.nextLong());
        }
        assertEquals(a.random("tcp").nextLong(), b.random("tcp").nextLong());
    }

    @Test
    void parkWaitsForUnparkOrTimeoutOnVirtualTime() {
        Simulation sim = new Simulation(5);
        List<String> log = new ArrayList<>();
        Thread[] waiter = new Thread[1];
        waiter[0] = sim.spawn("waiter", () -> {
            try {
                sim.park(null);
                log.add("woken@" + sim.nanos() / 1_000_000);
                sim.park(Duration.ofMillis(50));
                log.add("timed out@" + sim.nanos() / 1_000_000);
                sim.park(null);
                log.add("woken again@" + sim.nanos() / 1_000_000);
                sim.unpark(Thread.currentThread()); // a permit given before parking
                sim.park(null);
                log.add("permit@" + sim.nanos() / 1_000_000);
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        sim.schedule(10_000_000L, () -> sim.unpark(waiter[0]));
        sim.schedule(70_000_000L, () -> sim.unpark(waiter[0]));
        sim.runUntilIdle(100);
        assertEquals(List.of("woken@10", "timed out@60", "woken again@70", "permit@70"), log);
    }
}
