"""Text measures and word segmentation shared by the stages and the cleaning rules."""
