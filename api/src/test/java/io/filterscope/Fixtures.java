package io.filterscope;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Reference files made by api/src/test/python (see the scripts there for what each holds). */
public final class Fixtures {
    private Fixtures() {
    }

    /** The fixture at {@code fixtures/<relative>} on the test class path. */
    public static Path path(String relative) {
        URL url = Fixtures.class.getResource("/fixtures/" + relative);
        if (url == null) {
            throw new IllegalStateException("missing fixture " + relative + "; run api/src/test/python/make_fixtures.py");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
