package io.filterscope.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Model;
import io.filterscope.spi.ModelBackend;
import io.filterscope.spi.OpenOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendDiscoveryTest {
    static final Path MODEL = Path.of("src/test/resources/models/raw_data.onnx");

    @Test
    void serviceLoaderFindsTheOnnxBackend() {
        assertTrue(FilterScope.backends().stream().anyMatch(b -> b instanceof OnnxBackend));
    }

    @Test
    void openPicksTheBackendThatClaimsTheFile() {
        try (Model m = FilterScope.open(MODEL)) {
            assertEquals("ONNX", m.metadata().format());
        }
    }

    @Test
    void aBackendThatClaimsNothingIsPassedOver() {
        ModelBackend other = mock(ModelBackend.class);
        when(other.id()).thenReturn("other");
        when(other.claims(any())).thenReturn(false);
        try (Model m = FilterScope.open(MODEL, OpenOptions.defaults(), List.of(other, new OnnxBackend()))) {
            assertFalse(m.layers().isEmpty());
        }
        verify(other, never()).open(any(), any());
    }

    @Test
    void anExplicitBackendIdWins() {
        ModelBackend fake = mock(ModelBackend.class);
        Model fakeModel = mock(Model.class);
        when(fake.id()).thenReturn("fake");
        when(fake.open(any(), any())).thenReturn(fakeModel);
        assertSame(fakeModel, FilterScope.open(MODEL, OpenOptions.defaults().withBackend("fake"), List.of(new OnnxBackend(), fake)));
    }

    @Test
    void anUnclaimedFileNamesTheInstalledBackends(@TempDir Path dir) throws Exception {
        Path h5 = Files.write(dir.resolve("weights.h5"), new byte[] {(byte) 0x89, 'H', 'D', 'F'});
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> FilterScope.open(h5));
        assertTrue(e.getMessage().contains("weights.h5") && e.getMessage().contains("onnx (ONNX models (*.onnx))"), e.getMessage());
    }

    @Test
    void aFailingBackendsMessageReachesTheCaller() {
        ModelBackend broken = mock(ModelBackend.class);
        when(broken.id()).thenReturn("broken");
        when(broken.claims(any())).thenReturn(true);
        when(broken.open(any(), any())).thenThrow(new FilterScopeException("m.onnx: runtime library missing"));
        FilterScopeException e = assertThrows(FilterScopeException.class,
                () -> FilterScope.open(MODEL, OpenOptions.defaults(), List.of(broken)));
        assertEquals("m.onnx: runtime library missing", e.getMessage());
    }

    @Test
    void aMissingFileSaysSo() {
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> FilterScope.open(Path.of("nope/missing.onnx")));
        assertTrue(e.getMessage().contains("missing.onnx") && e.getMessage().contains("no such file"), e.getMessage());
    }
}
