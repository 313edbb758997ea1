package io.nerva.annotations;

import java.lang.annotation.*;

/** The maximum of each channel over the whole image: {@code H x W x C → C} (Keras' {@code GlobalMaxPooling2D}). */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface GlobalMaxPool2D {}
