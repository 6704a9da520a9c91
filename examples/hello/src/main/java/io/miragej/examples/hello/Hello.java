package io.miragej.examples.hello;

import io.miragej.platform.Devices;
import io.miragej.platform.Key;
import io.miragej.platform.Mirage;
import io.miragej.platform.Unikernel;
import java.time.Duration;

/** Prints a greeting a few times with a sleep in between, using only the signatures. */
public final class Hello implements Unikernel {
    static final Key<String> GREETING = Key.string("greeting", "Hello from MirageJ", "what to print");
    static final Key<Integer> TIMES = Key.integer("times", 4, 1, 1000, "how many times to print it");
    static final Key<Duration> INTERVAL = Key.duration("interval", Duration.ofSeconds(1), "pause between greetings");

    @Override
    public void start(Devices devices) throws InterruptedException {
        int times = devices.config().get(TIMES);
        for (int i = 1; i <= times; i++) {
            devices.console().println(devices.config().get(GREETING) + " (" + i + "/" + times + ")");
            if (i < times) {
                devices.time().sleep(devices.config().get(INTERVAL));
            }
        }
    }

    public static void main(String[] args) {
        Mirage.run(new Hello(), args);
    }
}
