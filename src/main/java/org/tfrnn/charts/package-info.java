/**
 * Pictures of a training run: the loss and accuracy curves (training and validation) as a PNG,
 * drawn with JFreeChart from the scalars of the run's TensorBoard event files.
 */
package org.tfrnn.charts;
