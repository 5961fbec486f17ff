package io.filterscope.dl4j.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/keras-layers.md is what the reader's registries say; -Dfilterscope.writeDocs=true rewrites it. */
class KerasLayerTableTest {
    static final Path DOC = Path.of("../docs/keras-layers.md");

    @Test
    void committedTableIsTheRegistry() throws IOException {
        String generated = KerasLayerTable.markdown();
        if (Boolean.getBoolean("filterscope.writeDocs")) {
            Files.writeString(DOC, generated, StandardCharsets.UTF_8);
        }
        assertTrue(Files.exists(DOC), DOC + " is missing; run this test with -Dfilterscope.writeDocs=true");
        assertEquals(generated, Files.readString(DOC, StandardCharsets.UTF_8),
                DOC + " differs from the reader's registries; run this test with -Dfilterscope.writeDocs=true and commit the file");
    }

    @Test
    void everyRegisteredLayerAndActivationIsInTheTable() {
        String md = KerasLayerTable.markdown();
        GraphAssembler.LAYERS.keySet().forEach(k -> assertTrue(md.contains("| `" + k + "` |"), k));
        KerasActivations.ACTIVATIONS.keySet().forEach(k -> assertTrue(md.contains("| `" + k + "` |"), k));
        assertTrue(md.contains("Lambda"), "the table says Lambda is refused");
    }
}
