package io.nerva.annotations;

import java.lang.annotation.*;

/** The mean of each channel over the whole image: {@code H x W x C → C} (Keras' {@code GlobalAveragePooling2D}). */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface GlobalAvgPool2D {}
