"""Models: find a model's config and weights headers, inventory its tensors, and estimate its memory per mode."""
