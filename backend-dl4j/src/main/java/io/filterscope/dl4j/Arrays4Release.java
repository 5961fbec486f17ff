package io.filterscope.dl4j;

import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Closing ND4J arrays this backend made, once, and only those that may be closed. */
final class Arrays4Release {
    private Arrays4Release() {
    }

    /** Closes each array not closed yet ({@code seen} holds those already handled). */
    static void closeAll(Set<INDArray> seen, INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a != null && seen.add(a)) {
                close(a);
            }
        }
    }

    /** Closes {@code a} when ND4J allows it: not a view, not in a workspace, not closed already. */
    static void close(INDArray a) {
        if (a != null && !a.wasClosed() && a.closeable()) {
            a.close();
        }
    }
}
