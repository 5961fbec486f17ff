package io.filterscope.examples;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.util.Locale;

/** How one channel's feature map for one image becomes one number to rank images by. */
public enum ScoreKind {
    /** The largest activation over all positions (the default: a unit that fires strongly anywhere). */
    MAX,
    /** The mean activation over all positions (a unit that fires broadly). */
    MEAN;

    /**
     * The kind named {@code name} ("max" or "mean", any case).
     *
     * @throws FilterScopeException of kind {@link ErrorKind#INVALID_ARGUMENT} for any other name
     */
    public static ScoreKind parse(String name) {
        for (ScoreKind k : values()) {
            if (k.name().equalsIgnoreCase(name.strip())) {
                return k;
            }
        }
        throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "unknown score '" + name + "'; use max or mean");
    }

    /** The lower-case name used on the command line and in index.json. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
