package io.filterscope.app.viewer;

import java.awt.Component;
import java.awt.Container;
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
import javax.swing.JComponent;
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

    /**
     * Makes files dropped anywhere in {@code root} open: components without a transfer handler pass
     * drops to their parent already; those with their own (lists, tables and text fields install one
     * for copy and paste) get one that takes files and leaves everything else to theirs.
     */
    void installOn(JComponent root) {
        root.setTransferHandler(this);
        installOnChildren(root);
    }

    private void installOnChildren(Container parent) {
        for (Component c : parent.getComponents()) {
            if (c instanceof JComponent j && j.getTransferHandler() != null && !(j.getTransferHandler() instanceof FileDrop)
                    && !(j.getTransferHandler() instanceof FilesFirst)) {
                j.setTransferHandler(new FilesFirst(this, j.getTransferHandler()));
            }
            if (c instanceof Container child) {
                installOnChildren(child);
            }
        }
    }

    /** A component's own transfer handler, with dropped files going to the viewer instead. */
    private static final class FilesFirst extends TransferHandler {
        private final FileDrop files;
        private final TransferHandler own;

        FilesFirst(FileDrop files, TransferHandler own) {
            this.files = files;
            this.own = own;
        }

        @Override
        public boolean canImport(TransferSupport support) {
            return files.canImport(support) || own.canImport(support);
        }

        @Override
        public boolean importData(TransferSupport support) {
            return files.canImport(support) ? files.importData(support) : own.importData(support);
        }

        @Override
        public int getSourceActions(JComponent c) {
            return own.getSourceActions(c);
        }

        @Override
        public void exportAsDrag(JComponent comp, java.awt.event.InputEvent e, int action) {
            own.exportAsDrag(comp, e, action);
        }

        @Override
        public void exportToClipboard(JComponent comp, java.awt.datatransfer.Clipboard clip, int action) {
            own.exportToClipboard(comp, clip, action);
        }
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
