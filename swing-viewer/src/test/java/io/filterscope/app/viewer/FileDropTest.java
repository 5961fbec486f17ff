package io.filterscope.app.viewer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.datatransfer.DataFlavor;
import java.awt.datatransfer.Transferable;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a drop hands to the viewer, from Java file lists and from text/uri-list. */
class FileDropTest {

    @Test
    void javaFileList() throws Exception {
        Transferable t = transferable(DataFlavor.javaFileListFlavor, List.of(new File("/tmp/a.onnx"), new File("/tmp/b.png")));
        assertEquals(List.of(Path.of("/tmp/a.onnx"), Path.of("/tmp/b.png")), FileDrop.files(t));
    }

    @Test
    void uriListSkipsCommentsAndOtherSchemes() throws Exception {
        DataFlavor uriList = new DataFlavor("text/uri-list;class=java.lang.String");
        Transferable t = transferable(uriList, "# from a file manager\r\nfile:///tmp/my%20model.onnx\r\nhttps://example.org/x.png\r\n");
        assertEquals(List.of(Path.of("/tmp/my model.onnx")), FileDrop.files(t));
    }

    private static Transferable transferable(DataFlavor flavor, Object data) {
        return new Transferable() {
            @Override
            public DataFlavor[] getTransferDataFlavors() {
                return new DataFlavor[] {flavor};
            }

            @Override
            public boolean isDataFlavorSupported(DataFlavor f) {
                return f.equals(flavor);
            }

            @Override
            public Object getTransferData(DataFlavor f) {
                return data;
            }
        };
    }
}
