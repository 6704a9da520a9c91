package io.miragej.examples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.miragej.platform.Config;
import io.miragej.testkit.SimDevices;
import io.miragej.testkit.Simulation;
import java.util.List;
import org.junit.jupiter.api.Test;

class HelloTest {
    @Test
    void greetsWithPausesOnVirtualTime() {
        Simulation sim = new Simulation(1);
        Hello app = new Hello();
        SimDevices devices = new SimDevices(sim, Config.parse(app.keys(), List.of("--times=3", "--interval=2s")));
        sim.spawn("hello", () -> {
            try {
                app.start(devices);
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        sim.runUntilIdle(100);
        assertEquals("Hello from MirageJ (1/3)\nHello from MirageJ (2/3)\nHello from MirageJ (3/3)\n",
                devices.consoleOutput());
        assertEquals(4_000_000_000L, sim.nanos(), "two pauses of two seconds, in virtual time");
    }
}
