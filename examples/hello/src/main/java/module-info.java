/** The hello example: a greeting, a few times, a pause between. */
module io.miragej.examples.hello {
    requires io.miragej.types;

    // The launcher reads the Key constants reflectively.
    opens io.miragej.examples.hello to io.miragej.types;
}
