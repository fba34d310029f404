//! A field of a partial update that may be absent (keep), `null` (clear) or a value (set):
//! the three states of a PATCH body and of a GraphQL update input. Defined here so that the
//! core does not depend on async-graphql; with the `graphql` feature it is a GraphQL input
//! type exactly as async-graphql's own `MaybeUndefined` (same type name, same parse).

use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MaybeUndefined<T> {
    /// Absent: keep the stored value.
    #[default]
    Undefined,
    /// `null`: clear it.
    Null,
    /// A new value.
    Value(T),
}

impl<T> MaybeUndefined<T> {
    pub fn is_undefined(&self) -> bool {
        matches!(self, Self::Undefined)
    }
}

/// A present field is `null` or a value; an absent one is `Undefined` through
/// `#[serde(default)]` on the field.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for MaybeUndefined<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(value) => Self::Value(value),
            None => Self::Null,
        })
    }
}

#[cfg(feature = "graphql")]
impl<T: async_graphql::InputType> async_graphql::InputType for MaybeUndefined<T> {
    type RawValueType = T::RawValueType;

    fn type_name() -> std::borrow::Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::type_name().to_string()
    }

    fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
        T::create_type_info(registry);
        T::type_name().to_string()
    }

    fn parse(value: Option<async_graphql::Value>) -> async_graphql::InputValueResult<Self> {
        match value {
            None => Ok(Self::Undefined),
            Some(async_graphql::Value::Null) => Ok(Self::Null),
            Some(value) => Ok(Self::Value(
                T::parse(Some(value)).map_err(async_graphql::InputValueError::propagate)?,
            )),
        }
    }

    fn to_value(&self) -> async_graphql::Value {
        match self {
            Self::Value(value) => value.to_value(),
            _ => async_graphql::Value::Null,
        }
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        match self {
            Self::Value(value) => value.as_raw_value(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Patch {
        #[serde(default)]
        field: MaybeUndefined<String>,
    }

    #[test]
    fn absent_null_and_value_are_three_states() {
        let read = |json: &str| serde_json::from_str::<Patch>(json).unwrap().field;
        assert_eq!(read("{}"), MaybeUndefined::Undefined);
        assert_eq!(read(r#"{"field":null}"#), MaybeUndefined::Null);
        assert_eq!(read(r#"{"field":"x"}"#), MaybeUndefined::Value("x".into()));
    }
}
