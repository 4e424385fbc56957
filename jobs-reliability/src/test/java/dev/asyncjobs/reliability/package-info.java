/** The reliability and security suite: crashes, outages, bad input, owner isolation, quota races and load, across processes. */
@NullMarked
package dev.asyncjobs.reliability;

import org.jspecify.annotations.NullMarked;
