//! The constructors of generated structs, written once: the
//! [`constructors!`](crate::constructors!) macro.

/// Implements `new` and the `with_*` methods of a generated struct: `new`
/// takes the required fields whose value is not fixed; fixed fields
/// (constants) are filled in; each optional field (`Option<T>`) starts as
/// `None` and each defaulted field (one serde fills in when absent) as its
/// `Default`, until its `with_<field>` method sets it.
///
/// ```
/// # mod consts { #[derive(Debug, Default, PartialEq)] pub struct Ping; }
/// #[derive(Debug, PartialEq)]
/// pub struct Subscribe {
///     pub event: consts::Ping,
///     pub pair: Vec<String>,
///     pub name: String,
///     pub reqid: Option<u64>,
/// }
/// asyncapi_runtime::constructors! {
///     Subscribe(name: String)
///     fixed { event: consts::Ping }
///     optional { reqid / with_reqid: u64 }
///     defaulted { pair / with_pair: Vec<String> }
/// }
/// let s = Subscribe::new("book".into()).with_reqid(7);
/// assert_eq!(s.reqid, Some(7));
/// assert!(s.pair.is_empty());
/// ```
#[macro_export]
macro_rules! constructors {
    (
        $name:ident($($param:ident: $pty:ty),* $(,)?)
        $(fixed { $($fixed:ident: $value:expr),* $(,)? })?
        $(optional { $($optional:ident / $oset:ident: $oty:ty),* $(,)? })?
        $(defaulted { $($defaulted:ident / $dset:ident: $dty:ty),* $(,)? })?
    ) => {
        impl $name {
            #[doc = concat!(
                "A `", stringify!($name), "` from its required fields; constants are filled in, ",
                "optional fields (if any) set with the `with_*` methods."
            )]
            pub fn new($($param: $pty),*) -> Self {
                $name {
                    $($param,)*
                    $($($fixed: $value,)*)?
                    $($($optional: ::std::option::Option::None,)*)?
                    $($($defaulted: ::std::default::Default::default(),)*)?
                }
            }

            $($(
                #[doc = concat!("Sets `", stringify!($optional), "`.")]
                pub fn $oset(mut self, value: $oty) -> Self {
                    self.$optional = ::std::option::Option::Some(value);
                    self
                }
            )*)?

            $($(
                #[doc = concat!("Sets `", stringify!($defaulted), "`.")]
                pub fn $dset(mut self, value: $dty) -> Self {
                    self.$defaulted = value;
                    self
                }
            )*)?
        }
    };
}
