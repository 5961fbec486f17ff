package io.filterscope.app.viewer;

import java.awt.datatransfer.DataFlavor;
import java.awt.datatransfer.Transferable;
import java.awt.datatransfer.UnsupportedFlavorException;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javax.swing.TransferHandler;

/**
 * Accepts files dropped on the window and hands them to the viewer. Besides Java's file lists it
 * reads {@code text/uri-list}, which some Linux file managers offer instead.
 */
final class FileDrop extends TransferHandler {
    private static final DataFlavor URI_LIST = uriList();

    private final Consumer<List<Path>> open;

    FileDrop(Consumer<List<Path>> open) {
        this.open = open;
    }

    @Override
    public boolean canImport(TransferSupport support) {
        boolean files = support.isDataFlavorSupported(DataFlavor.javaFileListFlavor)
                || (URI_LIST != null && support.isDataFlavorSupported(URI_LIST));
        if (files && support.isDrop()) {
            support.setDropAction(COPY);
        }
        return files;
    }

    @Override
    public boolean importData(TransferSupport support) {
        if (!canImport(support)) {
            return false;
        }
        List<Path> files;
        try {
            files = files(support.getTransferable());
        } catch (UnsupportedFlavorException | IOException e) {
            return false;
        }
        if (files.isEmpty()) {
            return false;
        }
        open.accept(files);
        return true;
    }

    static List<Path> files(Transferable t) throws UnsupportedFlavorException, IOException {
        List<Path> out = new ArrayList<>();
        if (t.isDataFlavorSupported(DataFlavor.javaFileListFlavor)) {
            for (Object o : (List<?>) t.getTransferData(DataFlavor.javaFileListFlavor)) {
                out.add(((File) o).toPath());
            }
            return out;
        }
        String uris = (String) t.getTransferData(URI_LIST);
        for (String line : uris.split("\\R")) {
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue; // text/uri-list allows comments
            }
            try {
                URI uri = URI.create(s);
                if ("file".equals(uri.getScheme())) {
                    out.add(Path.of(uri));
                }
            } catch (IllegalArgumentException e) {
                // not a file URI: skip it
            }
        }
        return out;
    }

    private static DataFlavor uriList() {
        try {
            return new DataFlavor("text/uri-list;class=java.lang.String");
        } catch (ClassNotFoundException e) {
            return null;
        }
    }
}
