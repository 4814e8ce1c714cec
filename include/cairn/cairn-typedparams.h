/*
 * cairn-typedparams.h: typed parameters, the twin of libvirt's
 * virTypedParameter (libvirt-common.h) and the getters of
 * libvirt-host.h that read them.
 *
 * Job statistics (cairnDomainGetJobStats) and the job-completed event
 * hand them out. Users include <cairn/cairn.h>, never this file directly.
 */
#ifndef CAIRN_TYPEDPARAMS_H
#define CAIRN_TYPEDPARAMS_H

#include <cairn/cairn-common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * CAIRN_TYPED_PARAM_FIELD_LENGTH:
 *
 * Bytes of a field name, including the terminating NUL. Since: 0.1.0
 */
#define CAIRN_TYPED_PARAM_FIELD_LENGTH 80

/**
 * cairnTypedParameterType:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_TYPED_PARAM_INT = 1,     /* integer case. Since: 0.1.0 */
    CAIRN_TYPED_PARAM_UINT = 2,    /* unsigned integer case. Since: 0.1.0 */
    CAIRN_TYPED_PARAM_LLONG = 3,   /* long long case. Since: 0.1.0 */
    CAIRN_TYPED_PARAM_ULLONG = 4,  /* unsigned long long case. Since: 0.1.0 */
    CAIRN_TYPED_PARAM_DOUBLE = 5,  /* double case. Since: 0.1.0 */
    CAIRN_TYPED_PARAM_BOOLEAN = 6, /* boolean (character) case. Since: 0.1.0 */
    CAIRN_TYPED_PARAM_STRING = 7   /* string case. Since: 0.1.0 */
} cairnTypedParameterType;

/**
 * cairnTypedParameter:
 *
 * One named value. @field is NUL-terminated; @type says which member of
 * @value is set. A STRING value is owned by the array it lives in.
 *
 * Since: 0.1.0
 */
typedef struct _cairnTypedParameter cairnTypedParameter;
typedef cairnTypedParameter *cairnTypedParameterPtr;
struct _cairnTypedParameter {
    char field[CAIRN_TYPED_PARAM_FIELD_LENGTH];
    int type; /* a cairnTypedParameterType */
    union {
        int i;                     /* CAIRN_TYPED_PARAM_INT */
        unsigned int ui;           /* CAIRN_TYPED_PARAM_UINT */
        long long int l;           /* CAIRN_TYPED_PARAM_LLONG */
        unsigned long long int ul; /* CAIRN_TYPED_PARAM_ULLONG */
        double d;                  /* CAIRN_TYPED_PARAM_DOUBLE */
        char b;                    /* CAIRN_TYPED_PARAM_BOOLEAN */
        char *s;                   /* CAIRN_TYPED_PARAM_STRING */
    } value;
};

cairnTypedParameterPtr
cairnTypedParamsGet(cairnTypedParameterPtr params, int nparams, const char *name);
int
cairnTypedParamsGetInt(cairnTypedParameterPtr params, int nparams, const char *name, int *value);
int cairnTypedParamsGetUInt(cairnTypedParameterPtr params,
                            int nparams,
                            const char *name,
                            unsigned int *value);
int cairnTypedParamsGetLLong(cairnTypedParameterPtr params,
                             int nparams,
                             const char *name,
                             long long *value);
int cairnTypedParamsGetULLong(cairnTypedParameterPtr params,
                              int nparams,
                              const char *name,
                              unsigned long long *value);
int cairnTypedParamsGetDouble(cairnTypedParameterPtr params,
                              int nparams,
                              const char *name,
                              double *value);
int cairnTypedParamsGetBoolean(cairnTypedParameterPtr params,
                               int nparams,
                               const char *name,
                               int *value);
int cairnTypedParamsGetString(cairnTypedParameterPtr params,
                              int nparams,
                              const char *name,
                              const char **value);
void cairnTypedParamsClear(cairnTypedParameterPtr params, int nparams);
void cairnTypedParamsFree(cairnTypedParameterPtr params, int nparams);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_TYPEDPARAMS_H */
