//! The marker types of constant properties (`types::consts`) and the
//! runtime literals of discriminating values.

use crate::names;
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

/// A constant property's marker type.
pub(super) struct ConstType {
    pub(super) name: String,
    pub(super) value: Value,
    pub(super) required: bool,
}

/// A literal of the runtime's `Lit` type for a scalar JSON value.
pub fn lit_tokens(value: &Value) -> TokenStream {
    let lit = quote!(::asyncapi_runtime::__private::dispatch::Lit);
    match value {
        Value::Null => quote!(#lit::Null),
        Value::Bool(b) => quote!(#lit::Bool(#b)),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                quote!(#lit::Int(#i))
            } else if let Some(u) = n.as_u64() {
                quote!(#lit::UInt(#u))
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                quote!(#lit::Float(#f))
            }
        }
        Value::String(s) => quote!(#lit::Str(#s)),
        // Only scalars are discriminating values.
        Value::Array(_) | Value::Object(_) => quote!(#lit::Null),
    }
}

pub(super) fn const_type(constant: &ConstType) -> TokenStream {
    let ident = names::ident(&constant.name);
    let lit = lit_tokens(&constant.value);
    let required = constant.required;
    let shown = constant.value.to_string();
    let doc = if required {
        format!("Always `{shown}`.")
    } else {
        format!("Always `{shown}` when written; may be absent when read.")
    };
    quote! {
        #[doc = #doc]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct #ident;

        impl #ident {
            /// The value.
            pub const VALUE: ::asyncapi_runtime::__private::dispatch::Lit = #lit;
        }

        impl ::asyncapi_runtime::__private::serde::Serialize for #ident {
            fn serialize<S>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error>
            where
                S: ::asyncapi_runtime::__private::serde::Serializer,
            {
                ::asyncapi_runtime::__private::constant::serialize(&Self::VALUE, serializer)
            }
        }

        impl<'de> ::asyncapi_runtime::__private::serde::Deserialize<'de> for #ident {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::asyncapi_runtime::__private::serde::Deserializer<'de>,
            {
                static VALUE: ::asyncapi_runtime::__private::dispatch::Lit = #lit;
                ::asyncapi_runtime::__private::constant::deserialize(&VALUE, #required, deserializer)
                    .map(|()| #ident)
            }
        }
    }
}
