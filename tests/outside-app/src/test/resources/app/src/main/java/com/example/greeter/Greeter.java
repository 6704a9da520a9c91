package com.example.greeter;

import io.miragej.platform.Devices;
import io.miragej.platform.Key;
import io.miragej.platform.Mirage;
import io.miragej.platform.Unikernel;

/** A user's application: it greets on the console, using signatures only. */
public final class Greeter implements Unikernel {
    public static final Key<String> NAME = Key.string("name", "world", "who to greet");

    @Override
    public void start(Devices devices) {
        devices.console().println("hello, " + devices.config().get(NAME) + ", from outside the reactor");
    }

    public static void main(String[] args) {
        Mirage.run(new Greeter(), args);
    }
}
