package io.filterscope.app;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.preprocess.FreeSize;
import picocli.CommandLine.Option;

/** The input size for models with a free height and width (detectors): see {@link FreeSize}. */
public final class SizeOptions {

    @Option(names = "--max-side", paramLabel = "PIXELS", defaultValue = "1024",
            description = "For models with a free input height and width: shrink the image so its longest side is at most"
                    + " this. Default: ${DEFAULT-VALUE}.")
    int maxSide;

    @Option(names = "--size-multiple", paramLabel = "N", defaultValue = "32",
            description = "For models with a free input height and width: round each side to a multiple of N (their total"
                    + " stride; 1 keeps the exact size). Default: ${DEFAULT-VALUE}.")
    int multiple;

    /** The rule, checked. */
    FreeSize rule() {
        if (maxSide < 1) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--max-side must be 1 or more, got " + maxSide);
        }
        if (multiple < 1) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--size-multiple must be 1 or more (1 keeps the exact size), got " + multiple);
        }
        return new FreeSize(maxSide, multiple);
    }
}
