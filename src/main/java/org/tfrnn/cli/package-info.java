/**
 * The {@code tfrnn} command line (picocli): {@code train}, {@code predict}, {@code serve}, {@code
 * presets}, {@code graphs} and {@code demo}. It only maps flags onto the library's configuration,
 * prints what the library reports, and turns an error into one line and exit status 1. The top of
 * the stack: it may use every other package, and none uses it.
 */
package org.tfrnn.cli;
