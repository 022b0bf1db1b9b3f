/**
 * The port checked as a whole against Python TensorFlow: each notebook's graph against the graph
 * Python builds for it ({@code graphs/python/}), and each notebook's training run retraced step by
 * step from Python's initial values on Python's batches ({@code python/lockstep.py}).
 */
package org.tfrnn.lockstep;
